//! The SQL stores in a database they share with the host: tables named by the host (or
//! prefixed by default), names checked before anything is created, a host's own tables left
//! alone, migrations run explicitly, by the host's own tooling (from the rendered SQL) or on
//! connect, and a store that may not migrate refused at connect, saying what to run, until
//! its tables are there.

#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;

use tower_oidc_registration::StoreError;

/// The message of the backend error `result` must be.
#[track_caller]
fn refusal<T: std::fmt::Debug>(result: Result<T, StoreError>) -> String {
    match result {
        Err(StoreError::Backend(e)) => {
            eprintln!("MSG: {e}");
            e.to_string()
        }
        other => panic!("expected a backend error, got {other:?}"),
    }
}

/// Names that are not plain SQL identifiers of at most 63 bytes, SQL injections included.
fn invalid_names() -> Vec<String> {
    [
        "",
        "1clients",
        "clients; DROP TABLE users",
        "clients\"; --",
        "Robert'); DROP TABLE students;--",
        "my-clients",
        "my clients",
        "auth.clients",
        "cliénts",
    ]
    .into_iter()
    .map(str::to_owned)
    .chain(["c".repeat(64)])
    .collect()
}
