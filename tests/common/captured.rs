//! What the crate logs, as text: a writer into a shared buffer for a tracing subscriber, and
//! the way to run a test that captures logs alone in a child process.
//!
//! A scoped tracing subscriber (`with_default`) in a test binary whose other tests run on
//! other threads at the same time may miss events: tracing caches per-callsite interest, and a
//! callsite first hit by another thread while no subscriber wanted it can stay disabled. Alone
//! in its process, it cannot.

use std::io::Write;
use std::sync::{Arc, Mutex};

/// A writer into a shared buffer; its clones write into the same buffer (give the subscriber
/// `move || writer.clone()`).
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// A subscriber that writes every event up to `level`, as plain text, into a new buffer;
    /// and that buffer.
    pub fn subscriber(level: tracing::Level) -> (Self, impl tracing::Subscriber + Send + Sync) {
        let captured = Self::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_max_level(level)
            .with_ansi(false)
            .finish();
        (captured, subscriber)
    }

    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("lock")).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs the ignored test `child` (its full path in this test binary) alone in a child process
/// with the variable `env` set, and asserts that it ran and passed. Does nothing where `env` is
/// set already: in a child, a test never starts another.
pub fn run_alone_in_a_child(child: &str, env: &str) {
    if std::env::var_os(env).is_some() {
        return;
    }
    let output = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args([
            child,
            "--exact",
            "--ignored",
            "--test-threads=1",
            "--nocapture",
        ])
        .env(env, "1")
        .output()
        .expect("run the child test");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{child} failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("1 passed"),
        "{child} did not run:\n{stdout}\n{stderr}"
    );
}
