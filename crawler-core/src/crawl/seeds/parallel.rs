//! A map over a slice on every core, results in the slice's order: what a seed list of
//! millions of lines is parsed with.

use std::num::NonZeroUsize;
use std::thread;

/// Below this many items a map stays on the calling thread: starting threads costs more.
const SMALL: usize = 4096;

/// `f` of each of `items`, in order, computed on up to as many threads as the machine has
/// cores (each thread a contiguous run of the slice).
pub(crate) fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = thread::available_parallelism().map_or(1, NonZeroUsize::get);
    if threads == 1 || items.len() < SMALL {
        return items.iter().map(f).collect();
    }
    let run = items.len().div_ceil(threads);
    let f = &f;
    thread::scope(|scope| {
        let runs: Vec<_> = items
            .chunks(run)
            .map(|run| scope.spawn(move || run.iter().map(f).collect::<Vec<R>>()))
            .collect();
        let mut all = Vec::with_capacity(items.len());
        for run in runs {
            match run.join() {
                Ok(results) => all.extend(results),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        all
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_the_order_of_a_slice_that_spans_several_threads() {
        let items: Vec<usize> = (0..3 * super::SMALL + 7).collect();
        let doubled = super::map(&items, |&n| n * 2);
        assert_eq!(doubled, items.iter().map(|&n| n * 2).collect::<Vec<_>>());
        assert_eq!(super::map(&[1, 2], |&n| n + 1), [2, 3]);
    }
}
