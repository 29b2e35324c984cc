//! Where the data goes: stdout, or a file that is replaced atomically.
//!
//! A file is written in full to a temporary file in the same folder, flushed and synced, and
//! only then renamed over the target. So a run that fails (or is killed) never leaves a
//! half-written file behind and never touches an existing one; the rename is atomic because the
//! temporary file is on the same file system. Checks that can fail early (the folder exists) run
//! before the crawl, so a long crawl is not wasted on a typo in `-o`.
//!
//! Everything goes through a `BufWriter`. A broken pipe on stdout is returned as an error like
//! any other; `main` recognises it and exits 0, as `| head` expects.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use tempfile::NamedTempFile;

/// A destination for an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Sink {
    /// Standard output.
    Stdout,
    /// A file, replaced atomically.
    File(PathBuf),
}

impl Sink {
    /// The sink for an optional path: none or `-` is stdout.
    pub(crate) fn new(path: Option<&Path>) -> Self {
        match path {
            None => Sink::Stdout,
            Some(path) if path == Path::new("-") => Sink::Stdout,
            Some(path) => Sink::File(path.to_path_buf()),
        }
    }

    /// Checks, before the crawl, that the file could be written: its folder exists and the path
    /// is not a folder itself.
    ///
    /// # Errors
    /// When the folder is missing or the path names a folder.
    pub(crate) fn check(&self) -> anyhow::Result<()> {
        let Sink::File(path) = self else {
            return Ok(());
        };
        let dir = parent(path);
        let meta = fs::metadata(dir).with_context(|| {
            format!(
                "cannot write `{}`: folder `{}`",
                path.display(),
                dir.display()
            )
        })?;
        if !meta.is_dir() {
            anyhow::bail!(
                "cannot write `{}`: `{}` is not a folder",
                path.display(),
                dir.display()
            );
        }
        if path.is_dir() {
            anyhow::bail!("cannot write `{}`: it is a folder", path.display());
        }
        Ok(())
    }
}

/// The folder a file goes in (`.` for a bare file name).
fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// A file written in full next to its target, waiting to replace it. Dropping it without
/// [`commit`](Self::commit) deletes the temporary file.
#[derive(Debug)]
pub(crate) struct Staged {
    temp: NamedTempFile,
    path: PathBuf,
}

/// Writes a file's whole content to a temporary file beside `path`.
///
/// # Errors
/// Any I/O error creating, writing or syncing the temporary file.
pub(crate) fn stage(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> anyhow::Result<Staged> {
    let staged = Staged::open(path)?;
    let written = (|| {
        let mut out = BufWriter::new(staged.temp.as_file());
        write(&mut out)?;
        out.flush()?;
        drop(out);
        staged.temp.as_file().sync_all()
    })();
    written.with_context(|| format!("cannot write `{}`", path.display()))?;
    Ok(staged)
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

impl Staged {
    /// An empty temporary file beside `path`, to be written while the crawl goes (streaming)
    /// through [`file`](Self::file), then [`commit`](Self::commit)ted.
    ///
    /// # Errors
    /// If the temporary file cannot be created.
    pub(crate) fn open(path: &Path) -> anyhow::Result<Self> {
        let dir = parent(path);
        let temp = temp_file_in(dir, path).with_context(|| {
            format!(
                "cannot create a temporary file in `{}` for `{}`",
                dir.display(),
                path.display()
            )
        })?;
        Ok(Staged {
            temp,
            path: path.to_path_buf(),
        })
    }

    /// A handle on the temporary file for writing.
    ///
    /// # Errors
    /// If the handle cannot be duplicated.
    pub(crate) fn file(&self) -> anyhow::Result<fs::File> {
        self.temp
            .as_file()
            .try_clone()
            .with_context(|| format!("cannot write `{}`", self.path.display()))
    }

    /// Syncs what was written through [`file`](Self::file), then commits.
    ///
    /// # Errors
    /// If the sync or the rename fails.
    pub(crate) fn sync_and_commit(self) -> anyhow::Result<()> {
        self.temp
            .as_file()
            .sync_all()
            .with_context(|| format!("cannot write `{}`", self.path.display()))?;
        self.commit()
    }

    /// Renames the temporary file over the target.
    ///
    /// # Errors
    /// If the rename fails; the temporary file is deleted then.
    pub(crate) fn commit(self) -> anyhow::Result<()> {
        let path = self.path;
        self.temp
            .persist(&path)
            .map_err(|err| err.error)
            .with_context(|| format!("cannot replace `{}`", path.display()))?;
        Ok(())
    }
}

/// Writes to stdout through a `BufWriter` and flushes.
///
/// # Errors
/// Any I/O error, a broken pipe included (the caller decides that it is not a failure).
pub(crate) fn to_stdout(
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> anyhow::Result<()> {
    let mut out = BufWriter::new(io::stdout().lock());
    write(&mut out)
        .and_then(|()| out.flush())
        .context("cannot write to stdout")
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
        assert_eq!(parent(Path::new("g.dot")), Path::new("."));
    }

    #[test]
    fn staged_file_replaces_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        fs::write(&path, "old").unwrap();
        let staged = stage(&path, |w| w.write_all(b"new")).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        drop(staged);
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);

        stage(&path, |w| w.write_all(b"new"))
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
        let err = stage(&path, |_| Err(io::Error::other("boom"))).unwrap_err();
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
