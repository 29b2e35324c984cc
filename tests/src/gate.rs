//! `/_/gate/K/NAME`: requests that wait for each other, so that a test can see a number of
//! requests in flight at once without betting on how long they take.
//!
//! A request to gate `NAME` waits until `K` requests are waiting at that gate together; then
//! the gate opens for good and every request to it, waiting or later, is answered at once. A
//! crawler that can have `K` requests in flight reaches that at its own pace, however slow the
//! machine; one that cannot never opens the gate, and its test fails at its hang detector.
//! A request dropped while waiting (its connection closed) stops counting.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::watch;

/// The gates of one server, by name.
#[derive(Debug, Default)]
pub(crate) struct Gates {
    gates: Mutex<HashMap<String, Arc<Gate>>>,
}

#[derive(Debug)]
struct Gate {
    /// Requests waiting now.
    waiting: Mutex<usize>,
    /// Whether the gate has opened.
    open: watch::Sender<bool>,
}

/// Counts one waiting request until dropped.
struct Waiting<'a>(&'a Gate);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        *self
            .0
            .waiting
            .lock()
            .unwrap_or_else(PoisonError::into_inner) -= 1;
    }
}

impl Gates {
    /// Waits at gate `name` until `k` requests wait there together (or it opened before).
    pub(crate) async fn pass(&self, name: &str, k: usize) {
        let gate = Arc::clone(
            self.gates
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(name.to_owned())
                .or_insert_with(|| {
                    Arc::new(Gate {
                        waiting: Mutex::new(0),
                        open: watch::channel(false).0,
                    })
                }),
        );
        let mut opened = gate.open.subscribe();
        let _waiting = {
            let mut waiting = gate.waiting.lock().unwrap_or_else(PoisonError::into_inner);
            *waiting += 1;
            if *waiting >= k {
                gate.open.send_replace(true);
            }
            Waiting(&gate)
        };
        // The sender lives in `gate`, which this task holds, so the channel cannot close.
        let _ = opened.wait_for(|open| *open).await;
    }
}
