//! Where the seed URLs come from: arguments, `--seeds FILE` (or stdin), or `./urls.txt`.
//!
//! Seeds are checked here, before any request, so a typo is a usage error (exit 2) that names
//! the URL and the line it came from. The library checks them again with its own rules; this
//! only has to catch what a person is likely to get wrong.

use std::io::Read;
use std::path::{Path, PathBuf};

use url::Url;

use crate::exit::usage;

/// The seed file read when neither URLs nor `--seeds` are given, like areq.py's `urls.txt`.
pub(crate) const DEFAULT_SEEDS_FILE: &str = "urls.txt";

/// The seeds for this run: the URL arguments, then the URLs of the seed file.
///
/// The seed file is `file` if given (`-` = stdin), else `./urls.txt` when there are no URL
/// arguments and it exists.
///
/// # Errors
/// A usage error when there are no seeds, the seed file cannot be read or lists no URL, or a
/// seed is not an absolute http(s) URL.
pub(crate) fn collect(urls: &[String], file: Option<&Path>) -> anyhow::Result<Vec<String>> {
    let mut seeds = Vec::new();
    for url in urls {
        let url = &crate::link_args::local_seed(url)?;
        check(url).map_err(|reason| usage(format!("invalid URL `{url}`: {reason}")))?;
        seeds.push(url.clone());
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
        let listed = parse_list(&name, &text)?;
        if listed.is_empty() {
            return Err(usage(format!("{name}: no seed URLs in the file")));
        }
        seeds.extend(listed);
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

/// The URLs of a seed list: one a line, surrounding whitespace trimmed, blank lines and lines
/// starting with `#` ignored.
fn parse_list(name: &str, text: &str) -> anyhow::Result<Vec<String>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut urls = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        check(line).map_err(|reason| {
            usage(format!(
                "{name}:{}: invalid URL `{line}`: {reason}",
                number + 1
            ))
        })?;
        urls.push(line.to_owned());
    }
    Ok(urls)
}

/// Why `url` cannot be a seed, if it cannot.
fn check(url: &str) -> Result<(), String> {
    // The URL parser would percent-encode inner whitespace; in a seed it is a typo, such as a
    // trailing comment (`http://a.test/ # home`).
    if url.contains(char::is_whitespace) {
        return Err("contains whitespace".to_owned());
    }
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

    #[test]
    fn list_skips_comments_blanks_and_trims() {
        let text = "\u{feff}# seeds\n\n  http://a.test/  \n\t# indented comment\nhttps://b.test/x?y=1#z\r\n";
        assert_eq!(
            parse_list("s.txt", text).unwrap(),
            ["http://a.test/", "https://b.test/x?y=1#z"]
        );
        assert!(parse_list("s.txt", "# only\n\n").unwrap().is_empty());
    }

    #[test]
    fn bad_line_is_named_with_its_number() {
        let err = parse_list("s.txt", "http://a.test/\n\nnot a url\n").unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("s.txt:3: invalid URL `not a url`"), "{msg}");
    }

    #[test]
    fn check_accepts_only_absolute_http_urls() {
        assert!(check("http://a.test/").is_ok());
        assert!(check("https://a.test:8443/x").is_ok());
        for bad in [
            "a.test",
            "/index.html",
            "ftp://a.test/",
            "mailto:x@a.test",
            "http://",
            "http://a.test/ # home",
        ] {
            assert!(check(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn arguments_are_checked() {
        let err = collect(&["http://a.test/".into(), "nope".into()], None).unwrap_err();
        assert!(err.to_string().contains("`nope`"), "{err}");
    }
}
