use std::sync::{Arc, Mutex as StdMutex};

use tokio::sync::{Mutex, mpsc, oneshot};

use super::{BatchWriter, Job, Write, run};
use crate::store::StoreError;
use crate::store::sql::ClientRow;

/// A writer that records the ids of each batch it is given, fails a whole batch holding the
/// id `poison` (as a database error would), and refuses ids starting with `taken`.
#[derive(Default)]
struct FakeWriter {
    batches: StdMutex<Vec<Vec<String>>>,
}

#[async_trait::async_trait]
impl BatchWriter for FakeWriter {
    async fn write_batch(
        &self,
        writes: &[Write],
    ) -> Result<Vec<Result<(), StoreError>>, StoreError> {
        let ids: Vec<String> = writes.iter().map(|write| id_of(write).to_owned()).collect();
        self.batches.lock().expect("lock").push(ids.clone());
        if ids.iter().any(|id| id == "poison") {
            return Err(StoreError::Backend("disk I/O error".into()));
        }
        Ok(ids
            .iter()
            .map(|id| match id.starts_with("taken") {
                true => Err(StoreError::AlreadyExists),
                false => Ok(()),
            })
            .collect())
    }
}

fn id_of(write: &Write) -> &str {
    match write {
        Write::Insert(row) | Write::InsertWithToken { row, .. } => &row.client_id,
    }
}

fn row(client_id: &str) -> ClientRow {
    ClientRow {
        client_id: client_id.to_owned(),
        version: 0,
        registration_token_hash: Vec::new(),
        client_secret: None,
        client_secret_hash: None,
        client_secret_expires_at: 0,
        client_id_issued_at: 0,
        token_endpoint_auth_method: "none".to_owned(),
        registered_by: "anonymous".to_owned(),
        metadata: "{}".to_owned(),
    }
}

/// Queues a plain insert of each id, then runs one writer over the queue until it is empty:
/// all of them are waiting when the writer starts, so they form one batch. The outcome of
/// each write, in order, and the batches the writer was given.
async fn write_all(
    ids: &[&str],
    give_up: &[&str],
) -> (Vec<Option<Result<(), StoreError>>>, Vec<Vec<String>>) {
    let (jobs, queue) = mpsc::channel(ids.len());
    let mut answers = Vec::new();
    for id in ids {
        let (outcome, answer) = oneshot::channel();
        let write = Write::Insert(row(id));
        jobs.try_send(Job { write, outcome })
            .expect("room in the queue");
        // A request that gave up dropped the receiving end of its outcome.
        answers.push((!give_up.contains(id)).then_some(answer));
    }
    drop(jobs);
    let writer = Arc::new(FakeWriter::default());
    run(Arc::clone(&writer), Arc::new(Mutex::new(queue))).await;
    let mut outcomes = Vec::new();
    for answer in answers {
        outcomes.push(match answer {
            Some(answer) => Some(answer.await.expect("an answer")),
            None => None,
        });
    }
    let batches = writer.batches.lock().expect("lock").clone();
    (outcomes, batches)
}

#[tokio::test]
async fn writes_waiting_together_are_written_in_one_batch_each_with_its_outcome() {
    let (outcomes, batches) = write_all(&["a", "taken-b", "c"], &[]).await;
    assert_eq!(batches, [["a", "taken-b", "c"]]);
    assert!(matches!(outcomes[0], Some(Ok(()))));
    assert!(matches!(outcomes[1], Some(Err(StoreError::AlreadyExists))));
    assert!(matches!(outcomes[2], Some(Ok(()))));
}

#[tokio::test]
async fn a_batch_that_fails_whole_is_written_again_one_write_at_a_time() {
    let (outcomes, batches) = write_all(&["a", "poison", "c"], &[]).await;
    assert_eq!(
        batches,
        [
            vec!["a", "poison", "c"],
            vec!["a"],
            vec!["poison"],
            vec!["c"]
        ]
    );
    // Only the write that fails alone fails.
    assert!(matches!(outcomes[0], Some(Ok(()))));
    assert!(matches!(outcomes[1], Some(Err(StoreError::Backend(_)))));
    assert!(matches!(outcomes[2], Some(Ok(()))));
}

#[tokio::test]
async fn a_write_alone_that_fails_is_not_written_again() {
    let (outcomes, batches) = write_all(&["poison"], &[]).await;
    assert_eq!(batches, [["poison"]]);
    assert!(matches!(outcomes[0], Some(Err(StoreError::Backend(_)))));
}

#[tokio::test]
async fn the_write_of_a_request_that_gave_up_before_its_batch_is_not_written() {
    let (outcomes, batches) = write_all(&["a", "gone", "c"], &["gone"]).await;
    assert_eq!(batches, [["a", "c"]]);
    assert!(matches!(outcomes[0], Some(Ok(()))));
    assert!(matches!(outcomes[2], Some(Ok(()))));
}

#[tokio::test]
async fn a_batch_of_only_requests_that_gave_up_writes_nothing() {
    let (_, batches) = write_all(&["gone"], &["gone"]).await;
    assert!(batches.is_empty(), "{batches:?}");
}
