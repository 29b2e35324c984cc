//! Waits that end on time, for the server's latency and delays.
//!
//! tokio's timer works in whole milliseconds: it rounds a deadline up to the next one, and its
//! worker sleeps in `epoll_wait` with a timeout rounded up again. On this project's benchmark
//! machine a `fixture-server --latency-ms 20` built on `tokio::time::sleep` answered a lone
//! client in 23.5 ms (1 ms: 2.7 ms), so every latency-bound benchmark measured the timer as
//! much as the crawler. Here one thread for the whole process keeps the deadlines in a heap
//! and sleeps on a condition variable until the earliest one: the kernel ends such a sleep
//! within tens of microseconds. A wait never ends before its deadline.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::sync::{Condvar, Mutex, MutexGuard, Once, OnceLock, PoisonError};
use std::thread;
use std::time::Instant;

use tokio::sync::oneshot;

/// Waits until `at` (at once if it has passed).
pub(crate) async fn sleep_until(at: Instant) {
    if at <= Instant::now() {
        return;
    }
    let (wake, woken) = oneshot::channel();
    alarm().set(at, wake);
    // A dropped sender cannot happen (the alarm thread never ends); either way the wait is over.
    let _ = woken.await;
}

/// The process's alarm, its thread started on first use.
fn alarm() -> &'static Alarm {
    static ALARM: OnceLock<Alarm> = OnceLock::new();
    static RINGER: Once = Once::new();
    let alarm = ALARM.get_or_init(Alarm::default);
    RINGER.call_once(|| {
        thread::Builder::new()
            .name("fixture-alarm".to_owned())
            .spawn(|| alarm.ring())
            .expect("the fixture server's alarm thread starts");
    });
    alarm
}

/// The deadlines not yet reached, and the condition the ringing thread sleeps on.
#[derive(Debug, Default)]
struct Alarm {
    pending: Mutex<Pending>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct Pending {
    heap: BinaryHeap<Reverse<Due>>,
    /// Entries pushed so far: equal deadlines end in the order they were set.
    pushed: u64,
}

/// One wait: when it ends, and whom to wake.
#[derive(Debug)]
struct Due {
    at: Instant,
    order: u64,
    wake: oneshot::Sender<()>,
}

impl Alarm {
    fn lock(&self) -> MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Wakes `wake` at `at`.
    fn set(&self, at: Instant, wake: oneshot::Sender<()>) {
        let mut pending = self.lock();
        let first = pending.heap.peek().is_none_or(|Reverse(due)| at < due.at);
        let order = pending.pushed;
        pending.pushed += 1;
        pending.heap.push(Reverse(Due { at, order, wake }));
        drop(pending);
        if first {
            self.changed.notify_one();
        }
    }

    /// The ringing thread: wakes each wait whose deadline has passed, then sleeps until the
    /// next deadline or a new, earlier one.
    fn ring(&self) {
        let mut pending = self.lock();
        loop {
            let now = Instant::now();
            while pending
                .heap
                .peek()
                .is_some_and(|Reverse(due)| due.at <= now)
            {
                if let Some(Reverse(due)) = pending.heap.pop() {
                    // The waiter may be gone (its connection closed): nothing to wake.
                    let _ = due.wake.send(());
                }
            }
            pending = match pending.heap.peek() {
                Some(Reverse(due)) => {
                    let wait = due.at - now;
                    self.changed
                        .wait_timeout(pending, wait)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
                None => self
                    .changed
                    .wait(pending)
                    .unwrap_or_else(PoisonError::into_inner),
            };
        }
    }
}

impl PartialEq for Due {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Due {}

impl PartialOrd for Due {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Due {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.order).cmp(&(other.at, other.order))
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::sleep_until;

    #[tokio::test]
    async fn waits_end_at_their_deadline_never_before_in_any_order() {
        let start = Instant::now();
        let lengths = [30u64, 5, 20, 5, 0, 12];
        let waits = lengths.map(|ms| {
            tokio::spawn(async move {
                let at = start + Duration::from_millis(ms);
                sleep_until(at).await;
                let now = Instant::now();
                (now >= at, now.saturating_duration_since(at))
            })
        });
        for (ms, wait) in lengths.into_iter().zip(waits) {
            let (on_time, late) = wait.await.expect("the wait ends");
            assert!(on_time, "the {ms} ms wait ended early");
            // Generous: a loaded machine may run the woken task late.
            assert!(
                late < Duration::from_millis(500),
                "{ms} ms wait {late:?} late"
            );
        }
    }
}
