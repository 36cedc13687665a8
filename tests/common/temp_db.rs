//! A database file under the temporary directory, for the SQLite store (also included by
//! `benches/stores.rs`).

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A database file under the temporary directory, with its WAL, shared-memory and journal files
/// removed on drop (also when the test panics).
pub struct TempDb(pub PathBuf);

impl TempDb {
    /// A path no other test of any process uses, its file name tagged with `tag`.
    pub fn new(tag: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_nanos();
        Self(std::env::temp_dir().join(format!(
            "tower-oidc-registration-{tag}-{}-{nanos}-{n}.db",
            std::process::id()
        )))
    }

    /// The path as a string, what `SqliteStore::open` takes.
    pub fn path(&self) -> &str {
        self.0.to_str().expect("UTF-8 temp path")
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}
