//! Writing a file while what is already written goes to disk: a helper thread syncs the file
//! each time a few more megabytes have been written, so the sync before the rename (see the
//! parent module) waits only for the last of them.
//!
//! The export is written after the crawl, with the crawl's cores idle. Synced only at the end,
//! the 30 MB TSV of the 10k benchmark spent 65 to 81 ms in that last `fsync` (3 to 5 ms now),
//! and a 1M-page TSV is some 3 GB; the writing thread sat waiting all that time.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::sync::mpsc::{sync_channel, SyncSender};

use super::{Writer, BUFFER};

/// Bytes written between two background syncs.
const SYNC_EVERY: u64 = 8 * 1024 * 1024;

/// Writes `file` with `write` through a buffer, syncing its data in the background every
/// `every` bytes, then syncs it fully (data and metadata) once `write` is done.
///
/// # Errors
/// The first error of `write`, of a write to `file`, or of a sync.
pub(super) fn write_synced(file: &File, write: Writer<'_>, every: u64) -> io::Result<()> {
    std::thread::scope(|scope| {
        // One request waits at most: a sync asked for while one runs covers both.
        let (ask, asked) = sync_channel::<()>(1);
        let syncer = scope.spawn(move || {
            while asked.recv().is_ok() {
                file.sync_data()?;
            }
            Ok::<_, io::Error>(())
        });
        let mut out = BufWriter::with_capacity(
            BUFFER,
            Counted {
                file,
                unsynced: 0,
                every,
                ask,
            },
        );
        let written = write(&mut out).and_then(|()| out.flush());
        // Ends the helper's loop.
        drop(out);
        let background = syncer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the thread syncing the file panicked")));
        written?;
        background?;
        file.sync_all()
    })
}

/// The file, counting the bytes written since the last sync it asked for.
struct Counted<'a> {
    file: &'a File,
    unsynced: u64,
    every: u64,
    ask: SyncSender<()>,
}

impl Write for Counted<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = (&*self.file).write(buf)?;
        self.unsynced += n as u64;
        // A full channel means a sync is asked for already; a closed one, that the helper
        // stopped on an error, which the caller gets when it joins it.
        if self.unsynced >= self.every && self.ask.try_send(()).is_ok() {
            self.unsynced = 0;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        (&*self.file).flush()
    }
}

/// [`write_synced`] with the default step.
pub(super) fn write_file(file: &File, write: Writer<'_>) -> io::Result<()> {
    write_synced(file, write, SYNC_EVERY)
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn every_byte_arrives_in_order_across_many_syncs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out");
        let file = File::create(&path).unwrap();
        let write =
            |out: &mut dyn Write| (0..50_000u32).try_for_each(|i| writeln!(out, "line {i}"));
        // A sync every 4 KiB: dozens of them while the 500 KB are written.
        write_synced(&file, &write, 4096).unwrap();
        let mut text = String::new();
        File::open(&path)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text.lines().count(), 50_000);
        assert!(text
            .lines()
            .enumerate()
            .all(|(i, l)| l == format!("line {i}")));
    }

    #[test]
    fn the_writers_error_is_returned() {
        let dir = tempfile::tempdir().unwrap();
        let file = File::create(dir.path().join("out")).unwrap();
        let write = |out: &mut dyn Write| {
            out.write_all(&[b'x'; 10_000])?;
            Err(io::Error::other("the export failed"))
        };
        let error = write_synced(&file, &write, 1024).unwrap_err();
        assert_eq!(error.to_string(), "the export failed");
    }

    #[test]
    fn a_file_that_cannot_be_written_gives_the_write_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out");
        File::create(&path).unwrap();
        let read_only = File::open(&path).unwrap();
        let write = |out: &mut dyn Write| out.write_all(b"data");
        let error = write_synced(&read_only, &write, 1024).unwrap_err();
        assert_eq!(error.raw_os_error(), Some(9), "{error}");
    }
}
