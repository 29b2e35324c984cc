//! Static file serving from the fixture root.
//!
//! The fixture site is a folder of files whose URLs are their paths: the
//! percent-decoded (UTF-8) path selects the file, a trailing `/` selects the
//! folder's `index.html` without a redirect, and nothing outside the root can
//! be reached (`..` and symlinks out of the root give 404). `Content-Type`
//! comes from the extension; HTML gets no charset parameter on purpose, so
//! that the crawler has to sniff `<meta charset>`. A file `NAME.headers` beside `NAME` adds its
//! `Name: value` lines to the response (for `X-Robots-Tag`, `Link` and `Refresh` fixtures);
//! it is never served itself.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use crate::response::{Body, Response};
use crate::validators::FileValidators;

/// Serves the file for `decoded_path` (a percent-decoded path starting with
/// `/`) under the canonical folder `root`, or the 404 page; with the file's validators
/// (see [`crate::validators`]) when there is one.
pub(crate) async fn serve(
    root: Arc<Path>,
    decoded_path: Option<String>,
) -> (Response, Option<FileValidators>) {
    let Some(path) = decoded_path else {
        return (Response::not_found(), None);
    };
    // Reading files is blocking I/O; keep it off the runtime's two workers.
    match tokio::task::spawn_blocking(move || read(&root, &path)).await {
        Ok(Some((body, content_type, headers, modified))) => {
            let validators = FileValidators::of(&body, modified);
            let mut response = Response::new(200, Some(content_type), Body::Bytes(body));
            response.headers.extend(headers);
            (response, Some(validators))
        }
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Ok(None) | Err(_) => (Response::not_found(), None),
    }
}

/// Extra response headers of a file.
type Headers = Vec<(String, String)>;

/// The file's bytes, content type and extra headers, or `None` if there is no
/// such file inside `root`.
fn read(root: &Path, path: &str) -> Option<(Vec<u8>, &'static str, Headers, SystemTime)> {
    let file = resolve(root, path)?.canonicalize().ok()?;
    let sidecar = file.extension().is_some_and(|e| e == "headers");
    if !file.starts_with(root) || !file.is_file() || sidecar {
        return None;
    }
    let body = fs::read(&file).ok()?;
    let modified = fs::metadata(&file).and_then(|m| m.modified()).ok()?;
    let mut name = file.clone().into_os_string();
    name.push(".headers");
    let headers = fs::read_to_string(name)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Some((body, content_type(&file), headers, modified))
}

/// Maps a URL path onto a file path under `root`, refusing `..`.
fn resolve(root: &Path, path: &str) -> Option<PathBuf> {
    let mut file = root.to_path_buf();
    for segment in path.strip_prefix('/')?.split('/') {
        match segment {
            "" | "." => {}
            ".." => return None,
            s if s.contains(['\\', '\0']) => return None,
            s => file.push(s),
        }
    }
    if path.ends_with('/') {
        file.push("index.html");
    }
    Some(file)
}

/// The `Content-Type` for a file, by extension.
pub(crate) fn content_type(file: &Path) -> &'static str {
    let ext = file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "png" => "image/png",
        "pdf" => "application/pdf",
        "json" => "application/json",
        "xml" => "application/xml",
        "gz" => "application/gzip",
        "css" => "text/css",
        "js" => "text/javascript",
        "svg" => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::{content_type, resolve};
    use std::path::Path;

    #[test]
    fn resolve_maps_paths_and_refuses_escapes() {
        let root = Path::new("/srv/site");
        assert_eq!(resolve(root, "/a.html").unwrap(), root.join("a.html"));
        assert_eq!(resolve(root, "/d/").unwrap(), root.join("d/index.html"));
        assert_eq!(resolve(root, "/").unwrap(), root.join("index.html"));
        assert_eq!(resolve(root, "//x/./y").unwrap(), root.join("x/y"));
        assert!(resolve(root, "/../etc/passwd").is_none());
        assert!(resolve(root, "/a/../../b").is_none());
        assert!(resolve(root, "/a\\b").is_none());
        assert!(resolve(root, "relative").is_none());
    }

    #[test]
    fn content_types_by_extension() {
        assert_eq!(content_type(Path::new("a.HTML")), "text/html");
        assert_eq!(content_type(Path::new("a.htm")), "text/html");
        assert_eq!(content_type(Path::new("a.txt")), "text/plain");
        assert_eq!(content_type(Path::new("a.csv")), "text/csv");
        assert_eq!(content_type(Path::new("a.png")), "image/png");
        assert_eq!(content_type(Path::new("a.pdf")), "application/pdf");
        assert_eq!(content_type(Path::new("a.json")), "application/json");
        assert_eq!(content_type(Path::new("a.xml")), "application/xml");
        assert_eq!(content_type(Path::new("a.tar.gz")), "application/gzip");
        assert_eq!(content_type(Path::new("a")), "application/octet-stream");
    }
}
