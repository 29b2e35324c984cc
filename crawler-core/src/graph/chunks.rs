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

    /// Items in order, by value.
    pub(super) fn into_iter(self) -> impl Iterator<Item = T> {
        self.chunks.into_iter().flatten()
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
