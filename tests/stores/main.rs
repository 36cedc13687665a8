//! The client stores: one conformance suite run against every store, replicas sharing one
//! PostgreSQL database, the SQL stores' table names and migrations in a database shared with
//! the host, crash safety of the SQLite store, stores that fail or stall, and a concurrent
//! load through the `Registry`.

#[path = "../common/mod.rs"]
mod common;

mod conformance;
#[cfg(feature = "sqlite")]
mod crash_safety;
mod faults;
mod load;
#[cfg(feature = "postgres")]
mod replicas;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod sql_tables;
