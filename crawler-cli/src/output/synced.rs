//! Writing a file while what is already written goes to disk: a helper thread syncs the file
//! each time a few more megabytes have been written, so the sync before the rename (see the
//! parent module) waits only for the last of them.
//!
//! Batch exports ([`write_file`]) and streamed output (`--stream`, `--format jsonl`:
//! [`synced_file`]) both go through it. A batch export is written after the crawl, with the
//! crawl's cores idle: synced only at the end, the 30 MB TSV of the 10k benchmark spent 65 to
//! 81 ms in that last `fsync` (3 to 5 ms now), and a 1M-page TSV is some 3 GB. A streamed file
//! left the last seconds of the crawl to sync at the end (36 to 41 ms at 10k, 5 to 7 now).
//!
//! The helper syncs through a duplicate of the file's descriptor, which shares its open file
//! description: Linux reports a writeback error once per description, so the final `fsync`
//! need not see an error the helper met. The helper's first error is therefore kept, makes
//! every later write fail, and is returned by [`Syncer::finish`].

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::{Arc, OnceLock};
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

/// The first error of a background sync, as kind and text (an `io::Error` is not `Clone`).
type Failure = Arc<OnceLock<(io::ErrorKind, String)>>;

/// A file whose data a helper thread syncs every few megabytes written; its [`Syncer`] stops
/// the helper.
pub(super) struct SyncedFile {
    /// The file written.
    file: File,
    /// Bytes written since the last sync asked for.
    unsynced: u64,
    /// Bytes between two syncs.
    every: u64,
    /// Where sync requests go.
    ask: SyncSender<Ask>,
    /// The helper's first error, once it has met one.
    failure: Failure,
}

/// The helper thread of a [`SyncedFile`]; dropping it stops the helper too.
#[derive(Debug)]
pub(super) struct Syncer {
    ask: SyncSender<Ask>,
    helper: Option<JoinHandle<io::Result<()>>>,
}

/// `file` with a helper thread that syncs its data every `every` bytes written through it.
///
/// # Errors
/// If the file cannot be duplicated for the helper or the thread cannot start.
fn synced(file: File, every: u64) -> io::Result<(SyncedFile, Syncer)> {
    let helper_file = file.try_clone()?;
    let failure = Failure::default();
    let helper_failure = Arc::clone(&failure);
    // One request waits at most: a sync asked for while one runs covers both.
    let (ask, asked) = sync_channel(1);
    let helper = std::thread::Builder::new()
        .name("crawl-sync".into())
        .spawn(move || {
            while let Ok(Ask::Sync) = asked.recv() {
                if let Err(err) = helper_file.sync_data() {
                    let _ = helper_failure.set((err.kind(), err.to_string()));
                    return Err(err);
                }
            }
            Ok(())
        })?;
    let writer = SyncedFile {
        file,
        unsynced: 0,
        every,
        ask: ask.clone(),
        failure,
    };
    let syncer = Syncer {
        ask,
        helper: Some(helper),
    };
    Ok((writer, syncer))
}

impl Syncer {
    /// Stops the helper (the file may still be written after, it is just not synced in the
    /// background any more) and returns the first error of its syncs, which the caller must
    /// report: a later `fsync` of the file need not (see the module docs).
    ///
    /// # Errors
    /// The first error of a background sync.
    pub(super) fn finish(mut self) -> io::Result<()> {
        // Fails only when the helper has stopped already, on an error that `join` returns.
        let _ = self.ask.send(Ask::Stop);
        match self.helper.take() {
            Some(helper) => helper
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("the thread syncing the file panicked"))),
            None => Ok(()),
        }
    }
}

impl Drop for Syncer {
    /// A file abandoned without [`finish`](Syncer::finish) (a failed crawl) stops its helper
    /// as well, whoever still holds the writer.
    fn drop(&mut self) {
        if self.helper.is_some() {
            let _ = self.ask.send(Ask::Stop);
        }
    }
}

impl Write for SyncedFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some((kind, text)) = self.failure.get() {
            return Err(io::Error::new(
                *kind,
                format!("syncing the file failed: {text}"),
            ));
        }
        let n = self.file.write(buf)?;
        self.unsynced += n as u64;
        // A full channel means a sync is asked for already; a closed one, that the helper
        // stopped.
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
    let (writer, syncer) = synced(file.try_clone()?, every)?;
    let mut out = BufWriter::with_capacity(BUFFER, writer);
    let written = write(&mut out).and_then(|()| out.flush());
    drop(out);
    let background = syncer.finish();
    written?;
    background?;
    file.sync_all()
}

/// [`write_synced`] with the default step.
///
/// # Errors
/// As [`write_synced`].
pub(super) fn write_file(file: &File, write: Writer<'_>) -> io::Result<()> {
    write_synced(file, write, SYNC_EVERY)
}

/// `file` with a helper thread that syncs its data every 8 MiB written through it.
///
/// # Errors
/// If the file cannot be duplicated for the helper or the thread cannot start.
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
        writer.write_all(&vec![b'a'; 100_000]).unwrap();
        syncer.finish().unwrap();
        writer.write_all(b"b").unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(bytes.len(), 100_001);
        assert_eq!(bytes.last(), Some(&b'b'));
    }

    #[test]
    fn writes_fail_once_a_background_sync_has_failed() {
        let dir = tempfile::tempdir().unwrap();
        let (mut writer, syncer) =
            synced(File::create(dir.path().join("out")).unwrap(), 1024).unwrap();
        writer.write_all(b"kept").unwrap();
        // What the helper records when `sync_data` fails (a full or failing disk).
        let _ = writer
            .failure
            .set((io::ErrorKind::StorageFull, "No space left on device".into()));
        let error = writer.write_all(b"lost").unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::StorageFull);
        assert_eq!(
            error.to_string(),
            "syncing the file failed: No space left on device"
        );
        syncer.finish().unwrap();
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
