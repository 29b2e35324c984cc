//! Running a crawl until a signal stops it: SIGINT and SIGTERM (Ctrl-C elsewhere) become the
//! crawl's shutdown future, and the exit status says which one came.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};

use crate::exit::ExitStatus;

/// Runs `crawl` on the runtime's worker threads, not in `block_on` on this one: the fold then
/// runs where a page's task finished, instead of waking this thread once per page (a 10k crawl
/// made 19k context switches in `block_on` and 5-6k spawned; CPU -3% to -15%).
///
/// `crawl` is given the future to stop on: `shutdown`, whose exit status is then kept in
/// `signal`. An error is a panic inside the crawl.
pub(crate) async fn spawn_crawl<T, Run>(
    shutdown: impl Future<Output = ExitStatus> + Send + 'static,
    signal: &Arc<OnceLock<ExitStatus>>,
    crawl: impl FnOnce(Pin<Box<dyn Future<Output = ()> + Send>>) -> Run,
) -> Result<T, tokio::task::JoinError>
where
    T: Send + 'static,
    Run: Future<Output = T> + Send + 'static,
{
    let signal = Arc::clone(signal);
    let stop = Box::pin(async move {
        let _ = signal.set(shutdown.await);
    });
    tokio::spawn(crawl(stop)).await
}

/// A future that resolves with the exit status for the first SIGINT or SIGTERM.
///
/// The handlers are installed here, before the crawl starts, so a signal that arrives before
/// the future is first polled is not lost to the default action.
#[cfg(unix)]
pub(crate) fn shutdown_signal() -> std::io::Result<impl Future<Output = ExitStatus>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => ExitStatus::Interrupted,
            _ = terminate.recv() => ExitStatus::Terminated,
        }
    })
}

/// A future that resolves with the exit status for the first Ctrl-C.
#[cfg(not(unix))]
pub(crate) fn shutdown_signal() -> std::io::Result<impl Future<Output = ExitStatus>> {
    Ok(async {
        match tokio::signal::ctrl_c().await {
            Ok(()) => ExitStatus::Interrupted,
            // Without a handler there is no Ctrl-C to wait for: run to the end.
            Err(_) => std::future::pending().await,
        }
    })
}
