//! A writer into a shared buffer, for a tracing subscriber: what the crate logged, as text.

use std::io::Write;
use std::sync::{Arc, Mutex};

/// A writer into a shared buffer; its clones write into the same buffer (give the subscriber
/// `move || writer.clone()`).
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
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
