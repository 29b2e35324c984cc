//! Where the seed URLs come from: arguments, `--seeds FILE` (or stdin), or `./urls.txt`.
//!
//! Seeds are checked here, before any request, so a typo is a usage error (exit 2) that names
//! the URL and the line it came from. Each is parsed once, into the library's [`SeedList`]
//! (which normalises and deduplicates it, a batch of lines at a time on every core): a seeds
//! file of ten million lines loads in seconds.

use std::io::Read;
use std::path::{Path, PathBuf};

use crawler_core::SeedList;
use url::Url;

use crate::exit::usage;

/// The seed file read when neither URLs nor `--seeds` are given, like areq.py's `urls.txt`.
pub(crate) const DEFAULT_SEEDS_FILE: &str = "urls.txt";

/// A seed argument as a URL: a local path (`./public/`, `site/index.html`) becomes its
/// absolute `file://` URL; anything else is returned as given, for the URL checks.
///
/// # Errors
/// A path-like argument (no `scheme:`) that does not exist.
pub(crate) fn local_seed(arg: &str) -> anyhow::Result<String> {
    let has_scheme = url::Url::parse(arg).is_ok_and(|url| url.scheme().len() > 1);
    if has_scheme {
        return Ok(arg.to_owned());
    }
    let path = Path::new(arg);
    let canonical = path.canonicalize().map_err(|err| {
        usage(format!(
            "invalid URL `{arg}`: neither an absolute URL nor a readable local path ({err})"
        ))
    })?;
    let url = if canonical.is_dir() {
        url::Url::from_directory_path(&canonical)
    } else {
        url::Url::from_file_path(&canonical)
    };
    url.map(String::from)
        .map_err(|()| usage(format!("`{arg}` cannot be a file:// URL")))
}

/// The seeds for this run added to `seeds`: the URL arguments, then the URLs of the seed file.
///
/// The seed file is `file` if given (`-` = stdin), else `./urls.txt` when there are no URL
/// arguments and it exists.
///
/// # Errors
/// A usage error when there are no seeds, the seed file cannot be read or lists no URL, or a
/// seed is not an absolute http(s) URL.
pub(crate) fn collect(
    urls: &[String],
    file: Option<&Path>,
    mut seeds: SeedList,
) -> anyhow::Result<SeedList> {
    for url in urls {
        let url = &local_seed(url)?;
        add(&mut seeds, url).map_err(|reason| usage(format!("invalid URL `{url}`: {reason}")))?;
    }
    let file = match file {
        Some(file) => Some(file.to_path_buf()),
        None if urls.is_empty() && Path::new(DEFAULT_SEEDS_FILE).exists() => {
            Some(PathBuf::from(DEFAULT_SEEDS_FILE))
        }
        None => None,
    };
    if let Some(file) = file {
        let (name, text) = read(&file)?;
        if add_list(&mut seeds, &name, &text)? == 0 {
            return Err(usage(format!("{name}: no seed URLs in the file")));
        }
    }
    if seeds.is_empty() {
        return Err(usage(
            "no seed URLs: give URLs, --seeds FILE, or a ./urls.txt",
        ));
    }
    Ok(seeds)
}

/// Reads a seed file (`-` = stdin); returns the name to use in messages and the text.
fn read(path: &Path) -> anyhow::Result<(String, String)> {
    let mut text = String::new();
    if path == Path::new("-") {
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|err| usage(format!("cannot read seed URLs from stdin: {err}")))?;
        return Ok(("<stdin>".to_owned(), text));
    }
    let name = path.display().to_string();
    text = std::fs::read_to_string(path)
        .map_err(|err| usage(format!("cannot read seed file `{name}`: {err}")))?;
    Ok((name, text))
}

/// Lines given to the library at once: parsed on every core, then added in order.
const BATCH: usize = 1 << 18;

/// Adds the URLs of a seed list: one a line, surrounding whitespace trimmed, blank lines and
/// lines starting with `#` ignored. Returns how many lines listed a URL.
fn add_list(seeds: &mut SeedList, name: &str, text: &str) -> anyhow::Result<usize> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Room for every line at once: a list of millions never grows (and copies itself) twenty
    // times over.
    seeds.reserve(bytecount(text, b'\n') + 1);
    let bad = |number: usize, line: &str, reason: String| {
        usage(format!("{name}:{number}: invalid URL `{line}`: {reason}"))
    };
    let mut listed = 0;
    // The batch's lines, with their numbers (from 1).
    let mut batch: Vec<&str> = Vec::with_capacity(BATCH.min(text.len() / 16 + 1));
    let mut numbers: Vec<usize> = Vec::with_capacity(batch.capacity());
    let mut lines = text.lines().enumerate().peekable();
    while lines.peek().is_some() {
        let mut spaced = None;
        for (number, line) in lines.by_ref() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if has_whitespace(line) {
                spaced = Some((number + 1, line));
                break;
            }
            batch.push(line);
            numbers.push(number + 1);
            if batch.len() == BATCH {
                break;
            }
        }
        if let Err(err) = seeds.extend(&batch) {
            let line = batch[err.index];
            return Err(bad(numbers[err.index], line, reason(line, err.error)));
        }
        listed += batch.len();
        batch.clear();
        numbers.clear();
        if let Some((number, line)) = spaced {
            return Err(bad(number, line, WHITESPACE.to_owned()));
        }
    }
    Ok(listed)
}

/// How many times `byte` occurs in `text`.
fn bytecount(text: &str, byte: u8) -> usize {
    text.bytes().filter(|&b| b == byte).count()
}

/// Why a URL with whitespace inside is refused.
const WHITESPACE: &str = "contains whitespace";

/// Whether `url` has whitespace inside: the URL parser would percent-encode it, but in a seed
/// it is a typo, such as a trailing comment (`http://a.test/ # home`).
fn has_whitespace(url: &str) -> bool {
    if url.is_ascii() {
        url.bytes().any(|b| b.is_ascii_whitespace() || b == 0x0b)
    } else {
        url.contains(char::is_whitespace)
    }
}

/// Adds `url` to `seeds` unless it cannot be a seed; says why then.
fn add(seeds: &mut SeedList, url: &str) -> Result<(), String> {
    if has_whitespace(url) {
        return Err(WHITESPACE.to_owned());
    }
    match seeds.push(url) {
        Ok(_) => Ok(()),
        Err(err) => Err(reason(url, err)),
    }
}

/// Why `url` is not a seed: the library's reason `err` is for a program; say it for a person
/// where we can.
fn reason(url: &str, err: crawler_core::Error) -> String {
    check(url).err().unwrap_or_else(|| match err {
        crawler_core::Error::InvalidSeed { reason, .. } => reason,
        other => other.to_string(),
    })
}

/// Why `url` cannot be a seed, in a person's words, if it cannot.
fn check(url: &str) -> Result<(), String> {
    let parsed = Url::parse(url).map_err(|err| err.to_string())?;
    match parsed.scheme() {
        "http" | "https" if parsed.host().is_some() => Ok(()),
        "http" | "https" => Err("has no host".to_owned()),
        "file" => Ok(()),
        other => Err(format!("scheme must be http, https or file, not `{other}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn empty() -> SeedList {
        crawler_core::Crawler::builder()
            .build()
            .unwrap()
            .seed_list()
    }

    /// The seeds of a list, as URL strings, or the error.
    fn listed(text: &str) -> anyhow::Result<(usize, Vec<String>)> {
        let mut seeds = empty();
        let lines = add_list(&mut seeds, "s.txt", text)?;
        Ok((lines, seeds.iter().map(ToOwned::to_owned).collect()))
    }

    #[test]
    fn list_skips_comments_blanks_and_trims() {
        let text = "\u{feff}# seeds\n\n  http://a.test/  \n\t# indented comment\nhttps://b.test/x?y=1#z\r\nHTTP://A.test/#again\n";
        let (lines, urls) = listed(text).unwrap();
        assert_eq!(lines, 3);
        assert_eq!(urls, ["http://a.test/", "https://b.test/x?y=1"]);
        assert_eq!(listed("# only\n\n").unwrap().0, 0);
    }

    #[test]
    fn bad_line_is_named_with_its_number() {
        let err = listed("http://a.test/\n\nnot a url\n").unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("s.txt:3: invalid URL `not a url`"), "{msg}");
    }

    #[test]
    fn only_absolute_http_and_file_urls_are_seeds() {
        for good in [
            "http://a.test/",
            "https://a.test:8443/x",
            "file:///tmp/site/",
        ] {
            assert!(add(&mut empty(), good).is_ok(), "{good}");
        }
        for (bad, reason) in [
            ("a.test", "relative URL without a base"),
            ("/index.html", "relative URL without a base"),
            (
                "ftp://a.test/",
                "scheme must be http, https or file, not `ftp`",
            ),
            (
                "mailto:x@a.test",
                "scheme must be http, https or file, not `mailto`",
            ),
            ("http://", "empty host"),
            ("http://a.test/ # home", "contains whitespace"),
        ] {
            assert_eq!(add(&mut empty(), bad).unwrap_err(), reason, "{bad}");
        }
    }

    #[test]
    fn arguments_are_checked() {
        let err = collect(&["http://a.test/".into(), "nope".into()], None, empty()).unwrap_err();
        assert!(err.to_string().contains("`nope`"), "{err}");
    }
}
