//! What an output path names, decided before anything is written to it.
//!
//! `-o PATH` must never destroy what is at `PATH` in a way the user did not ask for. Renaming a
//! temporary file over a device would replace it with a regular file (as root, `-o /dev/null`
//! once replaced the system's `/dev/null`), renaming over a symlink would replace the link, and
//! renaming over a FIFO would leave its reader waiting. So:
//! - a regular file, or nothing yet, is [`Target::Replace`]d atomically, at the path the
//!   symlinks lead to (the links stay links);
//! - anything else that exists (a character or block device, a FIFO, a socket) is
//!   [`Target::Through`]: opened and written in place, as `cat > PATH` would;
//! - a folder is an error.
//!
//! [`identity`] tells whether two spellings name the same file (symlinks, `..`, hard links),
//! so `-o X --nodes Y` can refuse to write both into one file.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Longest chain of symlinks followed, as Linux's `ELOOP` limit.
const MAX_LINKS: usize = 40;

/// How an output file is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// Written in full to a temporary file in this path's folder, then renamed over it. The
    /// path is the one symlinks lead to.
    Replace(PathBuf),
    /// Opened for writing where it is (a device, FIFO or socket): never renamed over.
    Through(PathBuf),
}

/// The target `path` names now.
///
/// # Errors
/// When `path` is a folder, names a symlink loop, or cannot be examined.
pub(crate) fn target(path: &Path) -> io::Result<Target> {
    match fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "it is a folder",
        )),
        // `canonicalize` follows links the way the kernel does, /proc/self/fd/N included.
        Ok(meta) if meta.is_file() => fs::canonicalize(path).map(Target::Replace),
        Ok(_) => Ok(Target::Through(path.to_path_buf())),
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            dangling_end(path).map(Target::Replace)
        }
        Err(err) => Err(err),
    }
}

/// Where the chain of symlinks starting at `path` ends, for a path that does not exist yet
/// (a new file, or a symlink to a file not yet created): the file to create.
fn dangling_end(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let next = fs::read_link(&current)?;
                current = folder_of(&current).join(next);
            }
            _ => return Ok(current),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// The folder a file goes in (`.` for a bare file name).
pub(crate) fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// What makes two paths the same file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Identity {
    /// An existing file: its device and inode (so hard links compare equal).
    Inode(u64, u64),
    /// A file still to be created: its canonical folder and its name.
    Path(PathBuf),
}

/// The identity of the file `path` names, if it can be told.
pub(crate) fn identity(path: &Path) -> Option<Identity> {
    match fs::metadata(path) {
        Ok(meta) => Some(inode(&meta, path)),
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            let end = dangling_end(path).ok()?;
            let folder = fs::canonicalize(folder_of(&end)).ok()?;
            Some(Identity::Path(folder.join(end.file_name()?)))
        }
        Err(_) => None,
    }
}

#[cfg(unix)]
fn inode(meta: &fs::Metadata, _path: &Path) -> Identity {
    use std::os::unix::fs::MetadataExt;
    Identity::Inode(meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn inode(_meta: &fs::Metadata, path: &Path) -> Identity {
    Identity::Path(fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn regular_new_and_linked_files_are_replaced_at_the_link_target() {
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        let file = root.join("g.tsv");
        assert_eq!(target(&file).unwrap(), Target::Replace(file.clone()));
        fs::write(&file, "x").unwrap();
        assert_eq!(target(&file).unwrap(), Target::Replace(file.clone()));

        fs::create_dir(root.join("sub")).unwrap();
        symlink("../g.tsv", root.join("sub/link")).unwrap();
        symlink("sub/link", root.join("link2")).unwrap();
        assert_eq!(target(&root.join("link2")).unwrap(), Target::Replace(file));

        symlink("sub/new.tsv", root.join("dangling")).unwrap();
        assert_eq!(
            target(&root.join("dangling")).unwrap(),
            Target::Replace(root.join("sub/new.tsv"))
        );
        assert!(target(&root).is_err(), "a folder");
    }

    #[test]
    fn symlink_loops_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        symlink("b", dir.path().join("a")).unwrap();
        symlink("a", dir.path().join("b")).unwrap();
        assert!(target(&dir.path().join("a")).is_err());
    }

    #[test]
    fn identity_sees_through_spellings_links_and_hard_links() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir(root.join("sub")).unwrap();
        let new = identity(&root.join("g.tsv")).unwrap();
        assert_eq!(identity(&root.join("sub/../g.tsv")), Some(new.clone()));
        symlink("g.tsv", root.join("link")).unwrap();
        assert_eq!(identity(&root.join("link")), Some(new));

        fs::write(root.join("g.tsv"), "x").unwrap();
        fs::hard_link(root.join("g.tsv"), root.join("sub/hard")).unwrap();
        let existing = identity(&root.join("g.tsv")).unwrap();
        assert_eq!(identity(&root.join("sub/hard")), Some(existing.clone()));
        assert_eq!(identity(&root.join("link")), Some(existing.clone()));
        assert_ne!(identity(&root.join("other.tsv")), Some(existing));
    }
}
