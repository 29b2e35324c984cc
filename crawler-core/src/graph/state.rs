//! The one-word state of a page (`ok`, `error`, `redirect`, `unvisited`, or why it was
//! skipped), as every export and analysis reports it, and as a streamed page carries it.

use crate::graph::{Page, SkipReason};

/// The one-word state of a page, shared by the exports: `ok`, `error`, `redirect`, or the
/// reason it was skipped.
pub fn page_state(page: &Page) -> &'static str {
    state(page.error.is_some(), page.skipped, page.status)
}

/// [`page_state`] from the fields it looks at (for pages streamed without a [`Page`]).
pub(crate) fn state(
    failed: bool,
    skipped: Option<SkipReason>,
    status: Option<u16>,
) -> &'static str {
    match (failed, skipped, status) {
        (true, _, _) => "error",
        (false, Some(reason), _) => reason.as_str(),
        (false, None, Some(status)) if (300..400).contains(&status) => "redirect",
        (false, None, Some(_)) => "ok",
        (false, None, None) => "unvisited",
    }
}
