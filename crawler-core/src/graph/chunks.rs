//! A vector stored in fixed-size chunks, for the graph's millions of pages and edges.
//!
//! A `Vec` that doubles leaves up to half its memory unused, and while it grows it holds the
//! old and the new buffer at once, which is what sets a long crawl's peak RSS. Chunks of a
//! fixed power-of-two size never move once full: the slack is at most one chunk and growing
//! never copies more than one chunk.

/// Items per chunk (a power of two, so a chunk's `Vec` doubles exactly up to it).
const CHUNK: usize = 1 << 14;

/// An append-only vector in chunks of [`CHUNK`] items.
#[derive(Debug, Clone)]
pub(super) struct Chunked<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Chunked<T> {
    fn default() -> Self {
        Self {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T> Chunked<T> {
    /// Appends `item` and returns its index.
    pub(super) fn push(&mut self, item: T) -> usize {
        match self.chunks.last_mut() {
            Some(chunk) if chunk.len() < CHUNK => chunk.push(item),
            _ => {
                // The first chunk grows as a `Vec` does, so a small graph stays small; later
                // ones are allocated whole.
                let mut chunk = Vec::with_capacity(if self.chunks.is_empty() { 0 } else { CHUNK });
                chunk.push(item);
                self.chunks.push(chunk);
            }
        }
        self.len += 1;
        self.len - 1
    }

    /// Number of items.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// The item at `index`, mutably, if any.
    pub(super) fn get_mut(&mut self, index: usize) -> Option<&mut T> {
        self.chunks.get_mut(index / CHUNK)?.get_mut(index % CHUNK)
    }

    /// Items in order.
    pub(super) fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.chunks.iter().flatten()
    }

    /// Swaps the items at `a` and `b`.
    fn swap(&mut self, a: usize, b: usize) {
        let ((ca, ia), (cb, ib)) = ((a / CHUNK, a % CHUNK), (b / CHUNK, b % CHUNK));
        if ca == cb {
            self.chunks[ca].swap(ia, ib);
        } else {
            let (low, high) = (ca.min(cb), ca.max(cb));
            let (left, right) = self.chunks.split_at_mut(high);
            let (x, y) = (&mut left[low], &mut right[0]);
            if ca < cb {
                std::mem::swap(&mut x[ia], &mut y[ib]);
            } else {
                std::mem::swap(&mut x[ib], &mut y[ia]);
            }
        }
    }

    /// Puts item `order[i]` at place `i`, for every `i`, in place: `order` must be a
    /// permutation of `0..len`. O(len) swaps, and a bit per item.
    pub(super) fn permute(&mut self, order: &[u32]) {
        assert_eq!(order.len(), self.len, "a new place for every item");
        self.permute_with(|at| order[at] as usize);
    }

    /// Puts item `from(i)` at place `i`, for every `i`, in place: `from` must be a
    /// permutation of `0..len`. O(len) swaps and calls of `from`, and a bit per item.
    pub(super) fn permute_with(&mut self, from: impl Fn(usize) -> usize) {
        let mut done = vec![0u64; self.len.div_ceil(64)];
        for start in 0..self.len {
            if done[start / 64] & (1 << (start % 64)) != 0 {
                continue;
            }
            let mut at = start;
            loop {
                done[at / 64] |= 1 << (at % 64);
                let from = from(at);
                if from == start {
                    break;
                }
                self.swap(at, from);
                at = from;
            }
        }
    }

    /// Items in order, mutably.
    pub(super) fn iter_mut(&mut self) -> impl Iterator<Item = &mut T> + '_ {
        self.chunks.iter_mut().flatten()
    }
}

impl<T> std::ops::Index<usize> for Chunked<T> {
    type Output = T;

    fn index(&self, index: usize) -> &T {
        &self.chunks[index / CHUNK][index % CHUNK]
    }
}

#[cfg(test)]
mod tests {
    use super::{Chunked, CHUNK};

    #[test]
    fn permutes_in_place_across_chunks() {
        let len = 2 * CHUNK + 5;
        let mut items = Chunked::default();
        for i in 0..len {
            items.push(i);
        }
        // Reversed, then with the first two swapped: cycles of length 2 and one within a chunk.
        let mut order: Vec<u32> = (0..len).rev().map(|i| u32::try_from(i).unwrap()).collect();
        order.swap(0, 1);
        items.permute(&order);
        let placed: Vec<usize> = items.iter().copied().collect();
        let wanted: Vec<usize> = order.iter().map(|&o| o as usize).collect();
        assert_eq!(placed, wanted);
        // A rotation: one cycle through every item.
        let rotation: Vec<u32> = (0..len)
            .map(|i| u32::try_from((i + 1) % len).unwrap())
            .collect();
        let mut items = Chunked::default();
        for i in 0..len {
            items.push(i);
        }
        items.permute(&rotation);
        assert!(items.iter().enumerate().all(|(i, &v)| v == (i + 1) % len));
    }

    #[test]
    fn indexes_across_chunks_and_keeps_order() {
        let mut items = Chunked::default();
        for i in 0..CHUNK * 2 + 5 {
            assert_eq!(items.push(i), i);
        }
        assert_eq!(items.len(), CHUNK * 2 + 5);
        assert_eq!(items[CHUNK], CHUNK);
        assert_eq!(items[CHUNK * 2 + 4], CHUNK * 2 + 4);
        assert_eq!(items.get_mut(CHUNK * 2 + 5), None);
        *items.get_mut(CHUNK - 1).unwrap() = 0;
        assert_eq!(items[CHUNK - 1], 0);
        assert!(items.iter().skip(CHUNK).copied().eq(CHUNK..CHUNK * 2 + 5));
        assert!(items.chunks.iter().all(|c| c.capacity() == CHUNK));
        items.iter_mut().for_each(|i| *i += 1);
        assert_eq!(items[0], 1);
    }
}
