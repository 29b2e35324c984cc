//! `file://` sites: a local folder crawled like a web site, with no network at all.
//!
//! A `file://` URL is answered here instead of by the HTTP client, as one hop with status 200
//! and a content type from the extension, so every export, report and `--fail-on-broken` works
//! unchanged. A directory URL serves its index file ([`FileOptions::index_file`](crate::config::files::FileOptions::index_file)); a directory
//! named without its trailing slash is answered as a web server answers it, `301` to the
//! slash form, and the redirect is followed like an HTTP one, so the index is read under a URL
//! its relative links resolve against (`sub/` and not `sub`, whose `page.html` would be the
//! parent's). The scope of
//! a file seed is its directory tree ([`SeedScope`](crate::config::scope::SeedScope)); a path that
//! leaves it by a symlink is found here, before the file is opened, by comparing canonical
//! paths, and is refused as [`PageError::File`]. Only regular files are read (a FIFO or a
//! device is never opened). A missing file is a broken link whose error names the path.

use std::io::Read;
use std::path::Path;

use url::Url;

use crate::error::PageError;
use crate::fetch::context::FetchContext;
use crate::fetch::response::Answer;
use crate::outcome::{Hop, Target};

/// Answers a `file://` URL: reads the file (or the directory's index file) if it is a regular
/// file inside one of `roots` (the canonical seed directories). A resource's body is kept only
/// for a stylesheet's `url()`s, as over HTTP.
pub(crate) fn request(ctx: &FetchContext, url: &Url, target: Target) -> Answer {
    let mut answer = Answer::new(Hop::new(url.clone()));
    let started = std::time::Instant::now();
    if let Some(location) = folder_location(ctx, url) {
        answer.hop.status = Some(301);
        answer.location = Some(location);
        answer.hop.elapsed = started.elapsed();
        return answer;
    }
    match read(ctx, url) {
        Ok((body, content_type)) => {
            let hop = &mut answer.hop;
            hop.status = Some(200);
            hop.bytes = body.len() as u64;
            let parse = (target == Target::Page
                && crate::fetch::response::is_html(Some(content_type)))
                || (ctx.config.links.check_resources
                    && crate::fetch::response::is_css(Some(content_type)));
            hop.content_type = Some(content_type.to_owned());
            let limit = ctx.config.max_body_bytes.get();
            let mut body = body;
            if body.len() > limit {
                body.truncate(limit);
                hop.bytes = limit as u64;
                hop.error = Some(PageError::BodyTooLarge { limit });
            }
            if parse {
                answer.body = Some(body);
            }
        }
        Err(detail) => answer.hop.error = Some(PageError::File { detail }),
    }
    answer.hop.elapsed = started.elapsed();
    answer
}

/// The slash form of `url` if it names a directory inside the site without its trailing slash
/// (`file:///site/sub` for `file:///site/sub/`). A directory whose real path leaves the site
/// is not redirected: reading it gives the error.
fn folder_location(ctx: &FetchContext, url: &Url) -> Option<String> {
    if url.path().ends_with('/') {
        return None;
    }
    let canonical = url.to_file_path().ok()?.canonicalize().ok()?;
    let inside = ctx
        .scope
        .file_roots()
        .iter()
        .any(|root| canonical.starts_with(root));
    if !inside || !canonical.is_dir() {
        return None;
    }
    let mut slashed = url.clone();
    slashed.set_path(&format!("{}/", url.path()));
    Some(slashed.into())
}

/// The bytes (up to the body cap plus one, to tell a cut) and content type of `url`'s file.
fn read(ctx: &FetchContext, url: &Url) -> Result<(Vec<u8>, &'static str), String> {
    let mut path = url
        .to_file_path()
        .map_err(|()| format!("{url} is not a local file path"))?;
    if url.path().ends_with('/') || path.is_dir() {
        path.push(&ctx.config.files.index_file);
    }
    let canonical = match path.canonicalize() {
        Ok(canonical) => canonical,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!("no such file: {}", path.display()));
        }
        Err(err) => return Err(format!("{}: {err}", path.display())),
    };
    let roots = ctx.scope.file_roots();
    if !roots.iter().any(|root| canonical.starts_with(root)) {
        return Err(format!(
            "{} leads outside the site root (to {}); not read",
            path.display(),
            canonical.display()
        ));
    }
    let meta = std::fs::metadata(&canonical).map_err(|err| format!("{}: {err}", path.display()))?;
    if !meta.is_file() {
        return Err(format!(
            "{} is not a regular file; not read",
            path.display()
        ));
    }
    let limit = ctx.config.max_body_bytes.get() as u64 + 1;
    let mut body = Vec::new();
    std::fs::File::open(&canonical)
        .and_then(|file| file.take(limit).read_to_end(&mut body))
        .map_err(|err| format!("{}: {err}", path.display()))?;
    Ok((body, content_type(&canonical)))
}

/// The content type of a file, from its extension.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html",
        "xhtml" => "application/xhtml+xml",
        "css" => "text/css",
        "js" | "mjs" => "text/javascript",
        "json" | "webmanifest" => "application/json",
        "xml" => "application/xml",
        "txt" | "md" => "text/plain",
        "csv" => "text/csv",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "pdf" => "application/pdf",
        "gz" => "application/gzip",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        "vtt" => "text/vtt",
        _ => "application/octet-stream",
    }
}
