//! Writing a file while what is already written goes to disk: a helper thread syncs the file
//! each time a few more megabytes have been written, so the sync before the rename (see the
//! parent module) waits only for the last of them.
//!
//! Batch exports ([`write_file`]) and streamed output (`--stream`, `--format jsonl`:
//! [`synced_file`]) both go through it. The export is written after the crawl, with the crawl's
//! cores idle. Synced only at the end,
//! the 30 MB TSV of the 10k benchmark spent 65 to 81 ms in that last `fsync` (3 to 5 ms now),
//! and a 1M-page TSV is some 3 GB; the writing thread sat waiting all that time.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::thread::JoinHandle;

use super::{Writer, BUFFER};

/// Bytes written between two background syncs.
const SYNC_EVERY: u64 = 8 * 1024 * 1024;

/// What the writer asks of the helper thread.
enum Ask {
    /// Sync the data written so far.
    Sync,
    /// Stop: the owner is about to sync the file itself.
    Stop,
}

/// A file whose data a helper thread syncs every few megabytes written; its [`Syncer`] stops
/// the helper.
pub(super) struct SyncedFile {
    file: File,
    unsynced: u64,
    every: u64,
    ask: SyncSender<Ask>,
}

/// The helper thread of a [`SyncedFile`].
#[derive(Debug)]
pub(super) struct Syncer {
    ask: SyncSender<Ask>,
    helper: JoinHandle<io::Result<()>>,
}

/// `file` with a helper thread that syncs its data every `every` bytes written through it.
///
/// # Errors
/// If the file cannot be cloned for the helper or the thread cannot start.
fn synced(file: File, every: u64) -> io::Result<(SyncedFile, Syncer)> {
    let own = file.try_clone()?;
    // One request waits at most: a sync asked for while one runs covers both.
    let (ask, asked) = sync_channel(1);
    let helper = std::thread::Builder::new()
        .name("crawl-sync".into())
        .spawn(move || {
            while let Ok(Ask::Sync) = asked.recv() {
                own.sync_data()?;
            }
            Ok(())
        })?;
    let writer = SyncedFile {
        file,
        unsynced: 0,
        every,
        ask: ask.clone(),
    };
    Ok((writer, Syncer { ask, helper }))
}

impl Syncer {
    /// Stops the helper (the file may still be written after, it is just not synced in the
    /// background any more) and returns the first error of its syncs. A sync error must reach
    /// the caller from here: the file's descriptor is shared, so a later `fsync` need not see
    /// it again.
    ///
    /// # Errors
    /// The first error of a background sync.
    pub(super) fn finish(self) -> io::Result<()> {
        // Fails only when the helper has stopped already, on an error that `join` returns.
        let _ = self.ask.send(Ask::Stop);
        self.helper
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the thread syncing the file panicked")))
    }
}

impl Write for SyncedFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.unsynced += n as u64;
        // A full channel means a sync is asked for already; a closed one, that the helper
        // stopped, which its `Syncer` reports.
        if self.unsynced >= self.every && self.ask.try_send(Ask::Sync).is_ok() {
            self.unsynced = 0;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// Writes `file` with `write` through a buffer, its data synced in the background every
/// `every` bytes, then syncs it fully (data and metadata).
///
/// # Errors
/// The first error of `write`, of a write to `file`, or of a sync.
pub(super) fn write_synced(file: &File, write: Writer<'_>, every: u64) -> io::Result<()> {
    let (target, helper) = synced(file.try_clone()?, every)?;
    let mut out = BufWriter::with_capacity(BUFFER, target);
    let written = write(&mut out).and_then(|()| out.flush());
    drop(out);
    let background = helper.finish();
    written?;
    background?;
    file.sync_all()
}

/// [`write_synced`] with the default step.
pub(super) fn write_file(file: &File, write: Writer<'_>) -> io::Result<()> {
    write_synced(file, write, SYNC_EVERY)
}

/// [`synced`] with the default step.
pub(super) fn synced_file(file: File) -> io::Result<(SyncedFile, Syncer)> {
    synced(file, SYNC_EVERY)
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
    fn the_helper_stops_while_the_writer_still_writes() {
        // As `--stream` does: the writer lives on in the crawl's sink when the file is
        // committed, so stopping must not wait for it to be dropped.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out");
        let (mut writer, syncer) = synced(File::create(&path).unwrap(), 1024).unwrap();
        writer.write_all(&[b'a'; 100_000]).unwrap();
        syncer.finish().unwrap();
        writer.write_all(b"b").unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(bytes.len(), 100_001);
        assert_eq!(bytes.last(), Some(&b'b'));
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
