//! The `--cookie-jar` file: read into the crawl's cookie jar before the crawl, and the jar
//! written back after it (atomically, like `-o`). The library keeps the jar in memory and never
//! touches the file.
//!
//! A jar is a process's own state: each worker of a distributed crawl reads and writes the jar
//! file it is given, so give every worker the same starting file.

use std::io::BufReader;
use std::path::Path;

use anyhow::Context;
use crawler_core::CookieJar;

use crate::exit::usage;

/// Reads the jar file; a missing file is an empty jar (it is created at the end).
///
/// # Errors
/// A usage error for an unreadable or malformed file.
pub(crate) fn read(path: &Path) -> anyhow::Result<CookieJar> {
    match std::fs::File::open(path) {
        Ok(file) => CookieJar::read_netscape(BufReader::new(file))
            .map_err(|err| usage(format!("cookie jar {}: {err}", path.display()))),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(CookieJar::new()),
        Err(err) => Err(usage(format!(
            "cannot read the cookie jar {}: {err}",
            path.display()
        ))),
    }
}

/// Writes `jar` to `path`, atomically.
///
/// # Errors
/// The file cannot be written.
pub(crate) fn save(jar: &CookieJar, path: &Path) -> anyhow::Result<()> {
    crate::output::stage(path, &|w| jar.write_netscape(w))
        .and_then(crate::output::Staged::commit)
        .with_context(|| format!("cannot write the cookie jar {}", path.display()))?;
    Ok(())
}
