//! Where the data goes: stdout, or a file that is replaced atomically or written through.
//!
//! A regular file (or a new one) is written in full to a temporary file in the same folder,
//! flushed and synced (in the background as it is written, see [`synced`]), and only then
//! renamed over the target. So a run that fails (or is killed) never leaves a half-written
//! file behind and never touches an existing one; the rename is atomic because the temporary
//! file is on the same file system. Symlinks are
//! followed first, so the link's target is replaced and the link stays. Anything else (a
//! device, a FIFO) is written in place and never renamed over; see [`target`].
//!
//! Checks that can fail early (the folder exists and takes a new file) run before the crawl, so
//! a long crawl is not wasted on a typo in `-o`. Every write, flush and sync error is reported
//! (`-o /dev/full` fails with "No space left on device").
//!
//! Everything goes through a `BufWriter`. A broken pipe on stdout is returned as an error like
//! any other; `main` recognises it and exits 0, as `| head` expects.
//!
//! # Architecture
//! - [`target`]: what a path names (replace or write through) and when two paths are one file.
//! - [`synced`]: a file synced to disk while it is written.

mod synced;
mod target;

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use crawler_core::export::{self, tsv::write_nodes_tsv};
use crawler_core::{CrawlReport, ExportFormat};
use tempfile::NamedTempFile;

use self::target::{folder_of, Target};

/// Bytes buffered before a write: a 30 MB export then takes some 120 writes, not 3,700 of
/// `BufWriter`'s default 8 KiB.
pub(crate) const BUFFER: usize = 256 * 1024;

/// A destination for an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Sink {
    /// Standard output.
    Stdout,
    /// A file: replaced atomically, or written through when it is not a regular file.
    File(PathBuf),
}

/// Something that writes an export.
pub(crate) type Writer<'a> = &'a dyn Fn(&mut dyn Write) -> io::Result<()>;

impl Sink {
    /// The sink for an optional path: none or `-` is stdout.
    pub(crate) fn new(path: Option<&Path>) -> Self {
        match path {
            None => Sink::Stdout,
            Some(path) if path == Path::new("-") => Sink::Stdout,
            Some(path) => Sink::File(path.to_path_buf()),
        }
    }

    /// Checks, before the crawl, that the file could be written: it is not a folder, and a file
    /// to be replaced has a folder that takes a new file (a temporary file is created there and
    /// removed again).
    ///
    /// # Errors
    /// When the folder is missing, is not a folder or does not take a new file, or the path
    /// names a folder.
    pub(crate) fn check(&self) -> anyhow::Result<()> {
        let Sink::File(path) = self else {
            return Ok(());
        };
        let cannot = || format!("cannot write `{}`", path.display());
        match target::target(path).with_context(cannot)? {
            Target::Replace(file) => {
                let dir = folder_of(&file);
                let meta = fs::metadata(dir)
                    .with_context(|| format!("{}: folder `{}`", cannot(), dir.display()))?;
                if !meta.is_dir() {
                    anyhow::bail!("{}: `{}` is not a folder", cannot(), dir.display());
                }
                drop(temp_file_in(dir, &file).with_context(|| {
                    format!("{}: cannot create a file in `{}`", cannot(), dir.display())
                })?);
            }
            Target::Through(_) => {}
        }
        Ok(())
    }

    /// Whether this sink and `other` would write into one file, by any spelling: the same path,
    /// symlinks, `..`, or hard links.
    pub(crate) fn same_file(&self, other: &Sink) -> bool {
        match (self, other) {
            (Sink::Stdout, Sink::Stdout) => true,
            (Sink::File(a), Sink::File(b)) => {
                a == b || target::identity(a).is_some_and(|id| target::identity(b) == Some(id))
            }
            _ => false,
        }
    }
}

/// A file written in full next to its target and waiting to replace it, or a device or FIFO
/// waiting to be written. Dropping it without [`commit`](Self::commit) deletes the temporary
/// file and writes nothing.
pub(crate) struct Staged<'a> {
    path: PathBuf,
    how: How<'a>,
}

enum How<'a> {
    Rename(NamedTempFile),
    Through(Writer<'a>),
}

impl std::fmt::Debug for Staged<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let how = match self.how {
            How::Rename(_) => "rename",
            How::Through(_) => "write through",
        };
        f.debug_struct("Staged")
            .field("path", &self.path)
            .field("how", &how)
            .finish()
    }
}

/// Prepares `path` to receive what `write` writes: a regular or new file is written now to a
/// temporary file beside the file the symlinks lead to; a device or FIFO is left for
/// [`Staged::commit`] to write in place.
///
/// # Errors
/// Any I/O error examining `path`, or creating, writing or syncing the temporary file.
pub(crate) fn stage<'a>(path: &Path, write: Writer<'a>) -> anyhow::Result<Staged<'a>> {
    let cannot = || format!("cannot write `{}`", path.display());
    let file = match target::target(path).with_context(cannot)? {
        Target::Replace(file) => file,
        Target::Through(device) => {
            return Ok(Staged {
                path: device,
                how: How::Through(write),
            })
        }
    };
    let temp = temp_beside(&file, path)?;
    synced::write_file(temp.as_file(), write).with_context(cannot)?;
    Ok(Staged {
        path: file,
        how: How::Rename(temp),
    })
}

/// A temporary file beside `file` (where the symlinks of `path`, the name given, lead).
fn temp_beside(file: &Path, path: &Path) -> anyhow::Result<NamedTempFile> {
    let dir = folder_of(file);
    temp_file_in(dir, file).with_context(|| {
        format!(
            "cannot create a temporary file in `{}` for `{}`",
            dir.display(),
            path.display()
        )
    })
}

/// An output written while the crawl goes (`--stream`, `--format jsonl`): a temporary file
/// beside a regular or new file, renamed over it by [`commit`](Self::commit) (so an
/// interrupted crawl replaces the file only with whole lines), or a device or FIFO written in
/// place from the start.
#[derive(Debug)]
pub(crate) struct Streamed {
    path: PathBuf,
    temp: Option<(NamedTempFile, synced::Syncer)>,
}

impl Streamed {
    /// Opens `path` for streaming and returns the file to write.
    ///
    /// # Errors
    /// Any I/O error examining `path`, creating the temporary file or opening the device.
    pub(crate) fn open(path: &Path) -> anyhow::Result<(Self, Box<dyn Write + Send>)> {
        let cannot = || format!("cannot write `{}`", path.display());
        match target::target(path).with_context(cannot)? {
            Target::Replace(file) => {
                let temp = temp_beside(&file, path)?;
                let out = temp.as_file().try_clone().with_context(cannot)?;
                let (out, syncer) = synced::synced_file(out).with_context(cannot)?;
                let staged = Self {
                    path: file,
                    temp: Some((temp, syncer)),
                };
                Ok((staged, Box::new(out)))
            }
            Target::Through(device) => {
                let out = fs::OpenOptions::new()
                    .write(true)
                    .open(&device)
                    .with_context(cannot)?;
                Ok((
                    Self {
                        path: device,
                        temp: None,
                    },
                    Box::new(out),
                ))
            }
        }
    }

    /// Syncs the temporary file and renames it over the target (nothing to do for a device).
    /// Call it once everything is written and flushed.
    ///
    /// # Errors
    /// If a sync (in the background or the last one) or the rename fails.
    pub(crate) fn commit(self) -> anyhow::Result<()> {
        let Some((temp, syncer)) = self.temp else {
            return Ok(());
        };
        let path = self.path;
        syncer
            .finish()
            .and_then(|()| temp.as_file().sync_all())
            .with_context(|| format!("cannot write `{}`", path.display()))?;
        temp.persist(&path)
            .map(drop)
            .map_err(|err| err.error)
            .with_context(|| format!("cannot replace `{}`", path.display()))
    }
}

/// A temporary file in `dir`, readable like a file made by `File::create` (mode 0666 less the
/// umask), or with the permissions of `target` when it exists and is replaced.
fn temp_file_in(dir: &Path, target: &Path) -> io::Result<NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".crawl-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let temp = builder.tempfile_in(dir)?;
    if let Ok(existing) = fs::metadata(target) {
        temp.as_file().set_permissions(existing.permissions())?;
    }
    Ok(temp)
}

impl Staged<'_> {
    /// Whether this is written in place (a device or FIFO) rather than renamed into place.
    pub(crate) fn is_through(&self) -> bool {
        matches!(self.how, How::Through(_))
    }

    /// Renames the temporary file over the target, or writes a device or FIFO in place (opened
    /// for writing, never created, truncated or synced).
    ///
    /// # Errors
    /// If the rename fails (the temporary file is deleted then), or any error opening, writing
    /// or flushing the device.
    pub(crate) fn commit(self) -> anyhow::Result<()> {
        let path = self.path;
        match self.how {
            How::Rename(temp) => temp
                .persist(&path)
                .map(drop)
                .map_err(|err| err.error)
                .with_context(|| format!("cannot replace `{}`", path.display())),
            How::Through(write) => fs::OpenOptions::new()
                .write(true)
                .open(&path)
                .and_then(|file| {
                    let mut out = BufWriter::with_capacity(BUFFER, file);
                    write(&mut out)?;
                    out.flush()
                })
                .with_context(|| format!("cannot write `{}`", path.display())),
        }
    }
}

/// Writes to stdout through a `BufWriter` and flushes.
///
/// # Errors
/// Any I/O error, a broken pipe included (the caller decides that it is not a failure).
pub(crate) fn to_stdout(write: Writer<'_>) -> anyhow::Result<()> {
    let mut out = BufWriter::with_capacity(BUFFER, io::stdout().lock());
    write(&mut out)
        .and_then(|()| out.flush())
        .context("cannot write to stdout")
}

/// Writes the graph and the node table. Regular files are staged first and renamed together
/// after the devices and FIFOs (which cannot be staged) were written, so a failure leaves every
/// regular file as it was; stdout comes last, so a closed pipe (`| head`) cannot keep the files
/// from being written.
pub(crate) fn write_graph(
    report: &CrawlReport,
    format: Option<ExportFormat>,
    data: &Sink,
    nodes: Option<&Sink>,
) -> anyhow::Result<()> {
    // `None`: TSV with the kind column.
    let write_data: Writer<'_> = &|w| match format {
        Some(format) => export::write(report, format, w),
        None => export::tsv::write_tsv_with_kind(report, w),
    };
    let write_nodes: Writer<'_> = &|w| write_nodes_tsv(report, w);
    let mut staged = Vec::new();
    if let Sink::File(path) = data {
        staged.push(stage(path, write_data)?);
    }
    if let Some(Sink::File(path)) = nodes {
        staged.push(stage(path, write_nodes)?);
    }
    staged.sort_by_key(|file| !file.is_through());
    for file in staged {
        file.commit()?;
    }
    if *data == Sink::Stdout {
        to_stdout(write_data)?;
    } else if nodes == Some(&Sink::Stdout) {
        to_stdout(write_nodes)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dash_and_none_are_stdout() {
        assert_eq!(Sink::new(None), Sink::Stdout);
        assert_eq!(Sink::new(Some(Path::new("-"))), Sink::Stdout);
        assert_eq!(
            Sink::new(Some(Path::new("g.dot"))),
            Sink::File(PathBuf::from("g.dot"))
        );
        assert_eq!(folder_of(Path::new("g.dot")), Path::new("."));
    }

    #[test]
    fn staged_file_replaces_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        fs::write(&path, "old").unwrap();
        let staged = stage(&path, &|w| w.write_all(b"new")).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        drop(staged);
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);

        stage(&path, &|w| w.write_all(b"new"))
            .unwrap()
            .commit()
            .unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn failed_write_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        let err = stage(&path, &|_| Err(io::Error::other("boom"))).unwrap_err();
        assert!(format!("{err:#}").contains("boom"));
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn missing_folder_is_caught_early() {
        let dir = tempfile::tempdir().unwrap();
        let sink = Sink::File(dir.path().join("nope/out.txt"));
        assert!(sink.check().is_err());
        assert!(Sink::File(dir.path().to_path_buf()).check().is_err());
        assert!(Sink::File(dir.path().join("out.txt")).check().is_ok());
    }
}
